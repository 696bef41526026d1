## The daily check-in (private chat) and the quick reply keys. HTML parse mode.

checkin-title = 📝 <b>Чек-ин</b> · { $day }
checkin-day-today = { $day }, сегодня
checkin-day-yesterday = { $day }, вчера
checkin-day = { $day }
checkin-logged = Записано: { $items }
checkin-nothing = Пока ничего не записано.
checkin-pick = Что записать? Нажмите показатель.
checkin-pad = { $name }: <b>{ $value }</b>
checkin-pad-hint = Наберите число и нажмите ✅ — или напишите его сообщением.
checkin-pad-minutes = В минутах, или быстрый выбор; можно написать: 1ч 30м.
checkin-more = Ещё…
checkin-yesterday = ◀ Вчера
checkin-today = Сегодня ▶
checkin-done = Готово
checkin-back = « К списку
checkin-quick-5 = 5м
checkin-quick-15 = 15м
checkin-quick-30 = 30м
checkin-quick-60 = 1ч
checkin-quick-120 = 2ч
checkin-stale = Эта кнопка уже не действует: ничего не изменено.
checkin-too-long = Слишком длинное число.
checkin-type-number = Сначала наберите число.
checkin-refused = Не записано — см. сообщение.
checkin-saved = Записано ✅
checkin-summary = ✅ { $day }: { $items }
checkin-summary-empty = { $day }: ничего не записано.
checkin-in-private = Чек-ин — в личном чате со мной: нажмите кнопку.
checkin-link = ✍️ Записать за сегодня

keys-shown = ⌨️ Быстрые кнопки — внизу экрана. Убрать: /keys off
keys-off = Быстрые кнопки убраны. Вернуть: /keys
keys-plus-leads = +1 лид
keys-plus-posts = +1 пост
keys-plus-qualified_leads = +1 квал. лид
keys-plus-sales = +1 продажа
keys-time = ⏱ { $name }
keys-pad = ✏️ { $name }
keys-kpi = 📊 KPI

cmd-checkin = отметить день кнопками
cmd-keys = быстрые кнопки: /keys off
