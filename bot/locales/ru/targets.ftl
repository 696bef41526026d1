## Targets and their status (SPEC §3).

status-on-track = в графике
status-at-risk = отстаём
status-off-track = не успеваем
status-too-early = рано судить
status-no-data = нет данных
status-met = выполнено
status-missed = не выполнено

goals-title = 🎯 <b>Цели</b> · прошло { $elapsed } из { $days } дн.
goals-title-closed = 🎯 <b>Цели</b> · период завершён
goal-person = { $person } — { $kpi }
goal-actual = { $actual } / { $target }
goal-no-data = нет данных (цель { $target })
goal-too-early = рано судить
goal-pace = темп { $pace }
goal-forecast = прогноз { $forecast }
goal-need = ещё { $need } в день, { $days ->
    [one] остался { $days } рабочий день
    [few] осталось { $days } рабочих дня
   *[other] осталось { $days } рабочих дней
}

target-set = 🎯 Цель: { $kpi } { $sign } { $value } на { $period } (с { $from }){ $person }.
target-set-person = , для { $person }
target-usage = Формат: /target &lt;показатель&gt; &lt;значение&gt; [week|month|quarter] [@человек]. Пример: /target leads 120 month
target-unknown-kpi = Не знаю показатель «{ $word }». Примеры: leads, posts, sla, response_time, churn, er, conversion.
target-only-managers = Цели ставят менеджеры команды (администраторы группы). Попросите их: /target leads 120 month
targets-title = 🎯 <b>Цели команды</b>
targets-empty = Целей пока нет. Менеджер может поставить: /target leads 120 month
period-word-week = неделю
period-word-month = месяц
period-word-quarter = квартал
err-target-value = Значение цели должно быть больше нуля: { $value }. Пример: /target leads 120 month

top-title = 🏆 <b>{ $kpi }</b> · { $period }
top-line = { $place }. { $person } — { $value }
top-empty = По этому показателю нет данных ({ $period }).
top-usage = Формат: /top [показатель] [week|month|quarter]. Пример: /top leads week

settings-summary =
    ⚙️ <b>Настройки «{ $team }»</b>
    Часовой пояс: { $timezone }
    Язык: { $language }
    Срок ответа (SLA): { $sla }
    Валюта: { $currency }
    Порог «отстаём»: { $risk } % от цели
    Рабочие дни: { $workdays }
    Еженедельный отчёт: { $digest_day }, { $digest_time } (ежемесячный — 1-го числа)
    Напоминание: { $reminder_time } по рабочим дням
settings-btn-digest_day = 📬 День отчёта
settings-btn-digest_time = 🕙 Время отчётов
settings-btn-reminder_time = 🔔 Напоминание
settings-btn-timezone = 🕒 Часовой пояс
settings-btn-language = 🌐 Язык
settings-btn-sla = ⏱ SLA
settings-btn-currency = 💱 Валюта
settings-btn-risk = 🚦 Порог
settings-btn-workdays = 📅 Рабочие дни
settings-back = ← Назад
settings-saved = Сохранено
settings-bad-value = Такого варианта нет.
settings-only-managers = Настройки меняют менеджеры команды (администраторы группы).
language-ru = русский
language-en = English
weekday-0 = Пн
weekday-1 = Вт
weekday-2 = Ср
weekday-3 = Чт
weekday-4 = Пт
weekday-5 = Сб
weekday-6 = Вс

metric-list = Свои показатели команды:
    { $items }
    Добавить (менеджер): /metric add stories counter Сторис
metric-usage = Формат: /metric add &lt;ключ&gt; &lt;counter|gauge|duration|money&gt; &lt;название&gt;. Пример: /metric add stories counter Сторис
metric-only-managers = Свои показатели добавляют менеджеры команды.
metric-bad-key = Ключ «{ $key }» не подходит: латиница, цифры и _, от 2 до 32 символов, не занятый встроенным показателем. Пример: stories
metric-bad-name = Название нужно, не длиннее { $max } символов.
metric-exists = Показатель { $key } уже есть.
metric-added = ➕ Добавлен показатель «{ $name }». Записывать: /log { $key } 5
