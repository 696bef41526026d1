## Everyday texts: confirmations, status, help. HTML parse mode.

no-data = no data
dur-m = { $m } min
dur-h = { $h } h
dur-hm = { $h } h { $m } min
dur-d = { $d } d
period-week = week { $span }
period-quarter = Q{ $q } { $year }
delta = { $arrow } { $diff } ({ $pct }%)
delta-abs = { $arrow } { $diff }
delta-pp = { $arrow } { $diff } pp

saved = ✅ { $lines }
saved-line = { $name }: <b>+{ $value }</b> → { $total } for { $period }
saved-line-gauge = { $name }: <b>{ $value }</b>
saved-line-resp = { $name }: { $values } → median { $median } for { $period }
saved-mine = (yours: { $mine })
saved-day = 📅 for { $day }
saved-note = 📝 { $note }
saved-platform = 🏷 { $platform }
edited = ✏️ Entry corrected from the edited message.

kpi-title = 📊 <b>{ $team }</b> · { $period }
kpi-person-title = 👤 <b>{ $person }</b> · { $period }
kpi-line = { $name }: <b>{ $value }</b> { $delta }
kpi-derived = <i>Ratios</i>
kpi-compare = Δ — against { $previous }
kpi-empty = Nothing logged for { $period }. Start with /lead or /post.
kpi-bad-args = I didn't get the period. Examples: /kpi week, /kpi month, /kpi quarter, /kpi 01.11..15.11, /kpi @anya
kpi-unknown-person = There is no { $who } in this team.

undo-done = ↩️ Deleted: { $entry }
undo-nothing = Nothing to undo: you have no entries in this team.
history-title = 🗂 Your latest commands (tap one to delete what it recorded):
history-empty = You have no entries yet.
history-deleted = 🗑 Deleted: { $entry }
history-gone = That entry is already deleted.

team-choose = You are in several teams. Where should entries from this private chat go?
team-chosen = Done: private-chat entries now go to “{ $team }”. Switch with /team. Please send your command again.
team-none = You're not in a team yet. Add me to your team's group chat and send any command there, e.g. /lead.
team-only-group = This command works in the team's group.
team-hello = 👋 Hi, “{ $team }”! I keep the team's KPIs. Log numbers: /lead, /post, /resp 15m. Where we stand: /kpi. All commands: /help.
not-member = No access: you are not a member of this team.
only-own = Only a manager can delete someone else's entries.

start =
    👋 I keep an SMM team's KPIs: you log the day's numbers, I compute the KPIs and targets.

    Log:
    /checkin — log the day with buttons (private chat)
    /lead 3 — leads (with a date and a note: /lead 2 yesterday from the newsletter)
    /qlead 1 — qualified leads
    /post 1 https://t.me/… — posts
    /sale 1 15000 — a sale and its revenue
    /resp 15m 1h30m 40 — reply times
    /log followers 20450 vk — any metric
    Dates: yesterday, 20.11, 2026-11-20. Numbers: 1.5 and 12 500.

    See:
    /kpi — where the team stands (week, month, quarter, 01.11..15.11, @person)
    /me — my numbers
    Fix: /undo — undo your last command, /history — recent commands.
help = { start }

cmd-lead = log leads: /lead 3
cmd-qlead = qualified leads
cmd-post = posts: /post 1 link
cmd-sale = sales and revenue: /sale 1 15000
cmd-resp = reply time: /resp 15m
cmd-log = any metric: /log views 1200
cmd-kpi = where the team stands
cmd-me = my numbers
cmd-undo = undo my last command
cmd-history = recent commands
cmd-team = choose a team
cmd-top = ranking: /top leads week
cmd-targets = targets and status
cmd-target = set a target (managers)
cmd-settings = team settings (managers)
cmd-metric = custom metrics
cmd-report = digest with charts: /report week
cmd-remind = reminders: /remind off
cmd-help = how to use the bot
error-internal = Something went wrong and nothing was saved. Please try again in a minute.

digest-title = 📬 <b>Summary: { $period }</b>
digest-leaders = 🏆 Top by leads: { $leaders }
digest-silent = 😶 Logged nothing: { $people }
digest-all-in = 👏 Everyone logged.
chart-attainment = Target attainment
chart-trend = Trend · { $period }
chart-people = Contributions
chart-target = target
unit-minutes = min
reminder = 🔔 Nothing from you in “{ $team }” today yet. Tap the buttons below — it takes a second. Turn reminders off with /remind off
remind-off = 🔕 Reminders are off. Turn them on with /remind on
remind-on = 🔔 Reminders are on ({ $time }, on working days).
remind-usage = Format: /remind off, /remind on or /remind 19:30
report-usage = Format: /report week, /report month or /report quarter
report-only-managers = On-demand reports are sent by the team's managers.
