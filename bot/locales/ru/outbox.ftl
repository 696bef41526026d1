## Confirmations merged into one message when a group nears Telegram's limit of 20
## messages a minute (bot/delivery/outbox.py): each person once, with what they logged.

outbox-merged =
    ✅ Записано { $count ->
        [one] { $count } команда
        [few] { $count } команды
       *[many] { $count } команд
    }:
    { $people }
outbox-person = 👤 { $person } — { $items }{ $edited ->
        [yes] { " " }✏️
       *[no] { "" }
    }
outbox-sum = { $name } <b>+{ $values }</b> → { $total } за { $period }
outbox-median = { $name } { $values } → медиана { $median } за { $period }
outbox-gauge = { $name } <b>{ $value }</b>
