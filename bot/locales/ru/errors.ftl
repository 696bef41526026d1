## Отклонённый ввод: что не так и пример правильной записи. Ничего не сохранено. HTML parse mode.
## Коды — bot/parsing.py и bot/parse_words.py (ParseError), err-kpi-args — bot/kpi_args.py.

err-not-a-number = «{ $value }» — не число. Пример: /lead 3 или /log views 12 500
err-number-too-large = Число «{ $value }» слишком длинное — похоже на опечатку. Пример: /log views 12 500
err-value-negative = Значение не может быть отрицательным: { $value }. Пример: /lead 3
err-value-not-whole = Количество должно быть целым: { $value }. Пример: /lead 3
err-value-too-large = Слишком большое значение: { $value } (максимум { $max }). Проверьте, нет ли опечатки. Пример: /lead 3
err-duration-too-long = Время ответа «{ $value }» — больше { $days } { $days ->
        [one] дня
        [few] дней
        [many] дней
       *[other] дня
    }, похоже на опечатку. Пример: /resp 1ч 30м
err-bad-duration = Не понял время ответа «{ $value }». Примеры: /resp 15m, /resp 1ч 30м, /resp 90, /resp 1:30
err-resp-usage = Укажите время ответа. Примеры: /resp 15m, /resp 1ч 30м 40, /resp 1:30 вчера
err-too-many-values = Слишком много значений в одном сообщении: { $count } (не больше { $max }). Разбейте на несколько: /resp 15m 40 1ч
err-log-usage = Формат: /log &lt;показатель&gt; &lt;значение&gt; [площадка]. Пример: /log followers 20 450 vk
err-unknown-metric = Не знаю показатель «{ $word }». Пример: /log leads 3 (ещё: posts, followers, views, likes, revenue)
err-date-future = Дата «{ $value }» ещё не наступила. Пример: /lead 2 вчера или /lead 2 20.11
err-date-too-old = Дата «{ $value }» слишком давняя: больше { $days } { $days ->
        [one] дня
        [few] дней
        [many] дней
       *[other] дня
    } назад. Пример: /lead 2 20.11
err-date-invalid = Такой даты нет: «{ $value }». Пример: /lead 2 20.11 или /lead 2 2026-11-20
err-note-too-long = Заметка длиннее { $max } символов — сократите её. Пример: /lead 2 из рассылки
err-note-bad-chars = В заметке есть служебные символы — уберите их. Пример: /lead 2 из рассылки
err-kpi-args = Не понял «{ $token }». Примеры: /kpi week, /kpi 01.11..15.11
