## Rejected input: what was wrong, and an example of the right form. Nothing was stored. HTML parse mode.
## Codes: bot/parsing.py and bot/parse_words.py (ParseError); err-kpi-args: bot/kpi_args.py.

err-not-a-number = “{ $value }” is not a number. Example: /lead 3 or /log views 12500
err-number-too-large = “{ $value }” is too long for a number, probably a typo. Example: /log views 12500
err-value-negative = A value can't be negative: { $value }. Example: /lead 3
err-value-not-whole = A count must be a whole number: { $value }. Example: /lead 3
err-value-too-large = That value is too large: { $value } (at most { $max }). Check for a typo. Example: /lead 3
err-duration-too-long = A reply time of “{ $value }” is over { $days } { $days ->
        [one] day
       *[other] days
    }, probably a typo. Example: /resp 1h 30m
err-bad-duration = I didn't get the reply time “{ $value }”. Examples: /resp 15m, /resp 1h30m, /resp 90, /resp 1:30
err-resp-usage = Give a reply time. Examples: /resp 15m, /resp 1h 30m 40, /resp 1:30 yesterday
err-too-many-values = Too many values in one message: { $count } (at most { $max }). Split them up: /resp 15m 40 1h
err-log-usage = Format: /log &lt;metric&gt; &lt;value&gt; [platform]. Example: /log followers 20450 vk
err-unknown-metric = I don't know the metric “{ $word }”. Example: /log leads 3 (also: posts, followers, views, likes, revenue)
err-date-future = The date “{ $value }” hasn't come yet. Example: /lead 2 yesterday or /lead 2 20.11
err-date-too-old = The date “{ $value }” is too far back: over { $days } { $days ->
        [one] day
       *[other] days
    } ago. Example: /lead 2 20.11
err-date-invalid = There is no such date: “{ $value }”. Example: /lead 2 20.11 or /lead 2 2026-11-20
err-note-too-long = The note is longer than { $max } characters; please shorten it. Example: /lead 2 from the newsletter
err-note-bad-chars = The note contains control characters; please remove them. Example: /lead 2 from the newsletter
err-kpi-args = I didn't get “{ $token }”. Examples: /kpi week, /kpi 01.11..15.11
