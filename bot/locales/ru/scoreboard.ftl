## The live scoreboard pinned in the team group. HTML parse mode.

board-title = 📌 <b>{ $team }</b> · { $period } · осталось { $left } дн.
board-recap = 🏁 Итог за { $period }: { $items }
board-goal = { $name }: { $actual } / { $target }
board-no-targets = Целей на месяц нет. Менеджер ставит их так: /target leads 120 month
board-pace = 🏃 Команда к темпу: { $pct } %
board-top = 🏆 { $kpi }: { $podium }
board-updated = 🕒 обновлено в { $time }
board-managers-only = Закреплять табло могут только менеджеры команды.
board-no-rights = Не могу закрепить: сделайте меня администратором с правом закреплять сообщения и повторите /pin.
board-off = Табло откреплено и больше не обновляется. Вернуть — /pin
board-none = Закреплённого табло нет. Закрепить — /pin
board-gone = 📌 Табло «{ $team }» удалили или открепили вручную — я перестал его обновлять. Закрепить заново — /pin в группе.
board-group-only = Табло закрепляется в группе команды: напишите /pin там.

cmd-pin = закрепить табло команды (менеджер)
