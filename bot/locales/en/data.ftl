## Data: /export (CSV for a spreadsheet). Import and backups are the kpibot import / backup commands.

cmd-export = export entries to CSV (managers)
export-only-managers = Data exports are for the team's managers (group admins). Ask them: /export month
export-usage = I didn't get the period. Examples: /export (all time), /export month, /export quarter, /export 01.11..15.11, /export month @anya
export-all-time = all time
export-empty = Nothing to export: no entries ({ $period }).
export-done =
    📄 <b>{ $team }</b> · { $period } · { $count } { $count ->
        [one] entry
       *[other] entries
    }
    Opens in Excel; the same file can be loaded back with kpibot import.
export-person = Only the entries of { $person }
