## The live scoreboard pinned in the team group. HTML parse mode.

board-title = 📌 <b>{ $team }</b> · { $period } · { $left } days left
board-recap = 🏁 { $period } ended: { $items }
board-goal = { $name }: { $actual } / { $target }
board-no-targets = No targets for the month. A manager sets them like this: /target leads 120 month
board-pace = 🏃 Team against pace: { $pct } %
board-top = 🏆 { $kpi }: { $podium }
board-updated = 🕒 updated at { $time }
board-managers-only = Only the team's managers can pin the scoreboard.
board-no-rights = I can't pin: make me an administrator allowed to pin messages and repeat /pin.
board-off = The scoreboard is unpinned and no longer updated. Bring it back with /pin
board-none = There is no pinned scoreboard. Pin one with /pin
board-gone = 📌 The “{ $team }” scoreboard was deleted or unpinned by hand — I stopped updating it. Pin it again with /pin in the group.
board-group-only = The scoreboard is pinned in the team group: send /pin there.

cmd-pin = pin the team's live scoreboard (manager)
