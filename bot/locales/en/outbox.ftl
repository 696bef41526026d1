## Confirmations merged into one message when a group nears Telegram's limit of 20
## messages a minute (bot/delivery/outbox.py): each person once, with what they logged.

outbox-merged =
    ✅ Logged { $count ->
        [one] { $count } command
       *[other] { $count } commands
    }:
    { $people }
outbox-person = 👤 { $person } — { $items }{ $edited ->
        [yes] { " " }✏️
       *[no] { "" }
    }
outbox-sum = { $name } <b>+{ $values }</b> → { $total } for { $period }
outbox-median = { $name } { $values } → median { $median } for { $period }
outbox-gauge = { $name } <b>{ $value }</b>
