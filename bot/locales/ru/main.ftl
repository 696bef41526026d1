## Everyday texts: confirmations, status, help. HTML parse mode.

no-data = нет данных
dur-m = { $m } мин
dur-h = { $h } ч
dur-hm = { $h } ч { $m } мин
dur-d = { $d } дн.
period-week = неделя { $span }
period-quarter = { $q } квартал { $year }
delta = { $arrow } { $diff } ({ $pct } %)
delta-abs = { $arrow } { $diff }
delta-pp = { $arrow } { $diff } п.п.

saved = ✅ { $lines }
saved-line = { $name }: <b>+{ $value }</b> → { $total } за { $period }
saved-line-gauge = { $name }: <b>{ $value }</b>
saved-line-resp = { $name }: { $values } → медиана { $median } за { $period }
saved-mine = (ваших: { $mine })
saved-day = 📅 за { $day }
saved-note = 📝 { $note }
saved-platform = 🏷 { $platform }
edited = ✏️ Запись исправлена по отредактированному сообщению.

kpi-title = 📊 <b>{ $team }</b> · { $period }
kpi-person-title = 👤 <b>{ $person }</b> · { $period }
kpi-line = { $name }: <b>{ $value }</b> { $delta }
kpi-derived = <i>Показатели</i>
kpi-compare = Δ — к периоду { $previous }
kpi-empty = Записей нет ({ $period }). Начните с /lead или /post.
kpi-bad-args = Не понял период. Примеры: /kpi week, /kpi month, /kpi quarter, /kpi 01.11..15.11, /kpi @anya
kpi-unknown-person = В команде нет участника { $who }.

undo-done = ↩️ Удалено: { $entry }
undo-nothing = Удалять нечего: у вас нет записей в этой команде.
history-title = 🗂 Ваши последние команды (нажмите, чтобы удалить всё, что команда записала):
history-empty = У вас пока нет записей.
history-deleted = 🗑 Удалено: { $entry }
history-gone = Эта запись уже удалена.

team-choose = Вы в нескольких командах. Куда записывать из личного чата?
team-chosen = Готово: записи из личного чата идут в «{ $team }». Сменить — /team. Повторите команду.
team-none = Вы пока не в команде. Добавьте меня в групповой чат команды и напишите там любую команду, например /lead.
team-only-group = Эта команда работает в группе команды.
team-hello = 👋 Привет, «{ $team }»! Я веду KPI команды. Записывайте цифры: /lead, /post, /resp 15m. Где мы сейчас — /kpi. Все команды — /help.
not-member = Нет доступа: вы не участник этой команды.
only-own = Удалять чужие записи может только менеджер.

start =
    👋 Я веду KPI SMM-команды: вы записываете цифры за день, я считаю показатели и цели.

    Записать:
    /checkin — отметить день кнопками (в личном чате)
    /lead 3 — лиды (можно с датой и заметкой: /lead 2 вчера из рассылки)
    /qlead 1 — квалифицированные лиды
    /post 1 https://t.me/… — публикации
    /sale 1 15 000 — продажа и выручка
    /resp 15m 1ч30м 40 — время ответа клиентам
    /log followers 20 450 vk — любой показатель
    Дата: вчера, 20.11, 2026-11-20. Числа: 1,5 и 12 500.

    Посмотреть:
    /kpi — где команда сейчас (week, month, quarter, 01.11..15.11, @человек)
    /me — мои цифры
    Исправить: /undo — отменить последнюю команду, /history — последние команды.
help = { start }

cmd-lead = записать лиды: /lead 3
cmd-qlead = квалифицированные лиды
cmd-post = публикации: /post 1 ссылка
cmd-sale = продажи и выручка: /sale 1 15000
cmd-resp = время ответа: /resp 15m
cmd-log = любой показатель: /log views 1200
cmd-kpi = где команда сейчас
cmd-me = мои цифры
cmd-undo = отменить последнюю команду
cmd-history = последние команды
cmd-team = выбрать команду
cmd-top = рейтинг: /top leads week
cmd-targets = цели и статус
cmd-target = поставить цель (менеджер)
cmd-settings = настройки команды (менеджер)
cmd-metric = свои показатели
cmd-report = отчёт с графиками: /report week
cmd-remind = напоминания: /remind off
cmd-help = как пользоваться
error-internal = Что-то пошло не так, запись не сохранена. Попробуйте ещё раз через минуту.

digest-title = 📬 <b>Итоги: { $period }</b>
digest-leaders = 🏆 Лидеры по лидам: { $leaders }
digest-silent = 😶 Ничего не записали: { $people }
digest-all-in = 👏 Записывали все.
chart-attainment = Выполнение целей
chart-trend = Динамика · { $period }
chart-people = Вклад участников
chart-target = цель
unit-minutes = мин
reminder = 🔔 Сегодня в «{ $team }» от вас ещё нет записей. Отметьте кнопками ниже — займёт секунду. Отключить напоминания — /remind off
remind-off = 🔕 Напоминания выключены. Включить — /remind on
remind-on = 🔔 Напоминания включены ({ $time }, по рабочим дням).
remind-usage = Формат: /remind off, /remind on или /remind 19:30
report-usage = Формат: /report week, /report month или /report quarter
report-only-managers = Отчёт по запросу отправляют менеджеры команды.
