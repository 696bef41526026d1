# /undo and /history: what one command recorded, shown as one line.
entry-unit = { $day } · { $items }
entry-unit-item = { $name } { $value }
