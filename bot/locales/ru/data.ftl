## Данные: /export (CSV для таблицы). Импорт и резервные копии — команды kpibot import / backup.

cmd-export = выгрузка записей в CSV (менеджер)
export-only-managers = Выгружать данные могут менеджеры команды (администраторы группы). Попросите их: /export month
export-usage = Не понял период. Примеры: /export (всё время), /export month, /export quarter, /export 01.11..15.11, /export month @anya
export-all-time = всё время
export-empty = Выгружать нечего: записей нет ({ $period }).
export-done =
    📄 <b>{ $team }</b> · { $period } · { $count } { $count ->
        [one] запись
        [few] записи
       *[other] записей
    }
    Открывается в Excel; этот же файл можно загрузить обратно: kpibot import.
export-person = Только записи: { $person }
