## The daily check-in (private chat) and the quick reply keys. HTML parse mode.

checkin-title = 📝 <b>Check-in</b> · { $day }
checkin-day-today = { $day }, today
checkin-day-yesterday = { $day }, yesterday
checkin-day = { $day }
checkin-logged = Logged: { $items }
checkin-nothing = Nothing logged yet.
checkin-pick = What to log? Tap a metric.
checkin-pad = { $name }: <b>{ $value }</b>
checkin-pad-hint = Type the number and tap ✅ — or send it as a message.
checkin-pad-minutes = In minutes, or a quick choice; you can also write: 1h 30m.
checkin-more = More…
checkin-yesterday = ◀ Yesterday
checkin-today = Today ▶
checkin-done = Done
checkin-back = « Back
checkin-quick-5 = 5m
checkin-quick-15 = 15m
checkin-quick-30 = 30m
checkin-quick-60 = 1h
checkin-quick-120 = 2h
checkin-stale = This button no longer works: nothing changed.
checkin-too-long = The number is too long.
checkin-type-number = Type a number first.
checkin-refused = Not saved — see the message.
checkin-saved = Saved ✅
checkin-summary = ✅ { $day }: { $items }
checkin-summary-empty = { $day }: nothing logged.
checkin-in-private = The check-in is in a private chat with me: tap the button.
checkin-link = ✍️ Log today

keys-shown = ⌨️ Quick keys are at the bottom of the screen. Remove them: /keys off
keys-off = Quick keys removed. Bring them back: /keys
keys-plus-leads = +1 lead
keys-plus-posts = +1 post
keys-plus-qualified_leads = +1 qualified lead
keys-plus-sales = +1 sale
keys-time = ⏱ { $name }
keys-pad = ✏️ { $name }
keys-kpi = 📊 KPI

cmd-checkin = log the day with buttons
cmd-keys = quick keys: /keys off
