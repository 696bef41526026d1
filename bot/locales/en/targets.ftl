## Targets and their status (SPEC §3).

status-on-track = on track
status-at-risk = at risk
status-off-track = off track
status-too-early = too early to judge
status-no-data = no data
status-met = met
status-missed = missed

goals-title = 🎯 <b>Targets</b> · day { $elapsed } of { $days }
goals-title-closed = 🎯 <b>Targets</b> · the period is over
goal-person = { $person } — { $kpi }
goal-actual = { $actual } / { $target }
goal-no-data = no data (target { $target })
goal-too-early = too early to judge
goal-pace = pace { $pace }
goal-forecast = forecast { $forecast }
goal-need = { $need } more per day, { $days ->
    [one] { $days } working day left
   *[other] { $days } working days left
}

target-set = 🎯 Target: { $kpi } { $sign } { $value } per { $period } (from { $from }){ $person }.
target-set-person = , for { $person }
target-usage = Format: /target &lt;kpi&gt; &lt;value&gt; [week|month|quarter] [@person]. Example: /target leads 120 month
target-unknown-kpi = I don't know the KPI “{ $word }”. Examples: leads, posts, sla, response_time, churn, er, conversion.
target-only-managers = Targets are set by the team's managers (group admins). Ask them: /target leads 120 month
targets-title = 🎯 <b>Team targets</b>
targets-empty = No targets yet. A manager can set one: /target leads 120 month
period-word-week = week
period-word-month = month
period-word-quarter = quarter
err-target-value = A target must be above zero: { $value }. Example: /target leads 120 month

top-title = 🏆 <b>{ $kpi }</b> · { $period }
top-line = { $place }. { $person } — { $value }
top-empty = No data for this KPI in { $period }.
top-usage = Format: /top [kpi] [week|month|quarter]. Example: /top leads week

settings-summary =
    ⚙️ <b>Settings of “{ $team }”</b>
    Time zone: { $timezone }
    Language: { $language }
    Reply deadline (SLA): { $sla }
    Currency: { $currency }
    “At risk” threshold: { $risk }% of the target
    Working days: { $workdays }
    Weekly digest: { $digest_day }, { $digest_time } (monthly: on the 1st)
    Reminder: { $reminder_time } on working days
settings-btn-digest_day = 📬 Digest day
settings-btn-digest_time = 🕙 Digest time
settings-btn-reminder_time = 🔔 Reminder
settings-btn-timezone = 🕒 Time zone
settings-btn-language = 🌐 Language
settings-btn-sla = ⏱ SLA
settings-btn-currency = 💱 Currency
settings-btn-risk = 🚦 Threshold
settings-btn-workdays = 📅 Working days
settings-back = ← Back
settings-saved = Saved
settings-bad-value = That option is not available.
settings-only-managers = Settings are changed by the team's managers (group admins).
language-ru = русский
language-en = English
weekday-0 = Mon
weekday-1 = Tue
weekday-2 = Wed
weekday-3 = Thu
weekday-4 = Fri
weekday-5 = Sat
weekday-6 = Sun

metric-list = The team's own metrics:
    { $items }
    Add one (managers): /metric add stories counter Stories
metric-usage = Format: /metric add &lt;key&gt; &lt;counter|gauge|duration|money&gt; &lt;name&gt;. Example: /metric add stories counter Stories
metric-only-managers = Custom metrics are added by the team's managers.
metric-bad-key = The key “{ $key }” won't do: latin letters, digits and _, 2 to 32 characters, not a built-in metric. Example: stories
metric-bad-name = A name is needed, at most { $max } characters.
metric-exists = The metric { $key } already exists.
metric-added = ➕ Added the metric “{ $name }”. Log it with: /log { $key } 5
