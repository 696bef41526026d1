## Счёт из Telegram (SPEC §10): канал, обсуждения, Telegram Business.

metric-new_followers = Новые подписчики
metric-inbound_chats = Обращения

capture-managers-only = Подключать канал и создавать ссылки могут менеджеры команды (администраторы группы).
channel-usage = Формат: /channel @канал — подключить, /channel — список, /channel off @канал — отключить.
channel-none = Канал не подключён. Сделайте бота администратором канала и отправьте здесь: /channel @канал
channel-list = 📣 Подключённые каналы:
    { $channels }
channel-line = • { $channel }
channel-not-found = Не нашёл канал { $channel }. Проверьте @имя или id (-100…) и что бот добавлен в канал.
channel-not-channel = { $channel } — не канал. Подключить можно только канал: /channel @канал
channel-not-admin = Бот не администратор в { $channel }. Назначьте его администратором канала (права можно оставить по умолчанию) и повторите: /channel { $channel }
channel-taken = Канал { $channel } уже подключён к другой команде. Один канал считается в одной команде.
channel-linked = ✅ Канал { $channel } подключён: публикации, реакции, подписки и отписки бот считает сам.
channel-missing-rights = ⚠️ Не хватает прав администратора: { $rights } — без них не работает /invite.
channel-no-discussion = У канала нет группы обсуждений: комментарии и время ответа не считаются.
channel-discussion-watched = 💬 Группа обсуждений подключена: комментарии и время ответа считаются.
channel-discussion-add-me = 💬 Чтобы считать комментарии и время ответа, добавьте бота администратором в группу обсуждений канала.
channel-followers = Подписчиков сейчас: { $count }.
channel-off = Канал { $channel } отключён. Посчитанное остаётся в истории.
channel-not-linked = Канал { $channel } не подключён к этой команде.
invite-usage = Формат: /invite название (до { $limit } символов). Пример: /invite Реклама у блогера
invite-failed = Не получилось создать ссылку: дайте боту право «Пригласительные ссылки» в { $channel }.
invite-made = 🔗 Ссылка «{ $name }»: { $link }
    Подписки по ней бот посчитает отдельно (/kpi, дайджест).
iam-usage = Формат: /iam подпись — как ваша подпись выглядит под постами канала. Пример: /iam { $name }
iam-done = ✅ Посты с подписью «{ $signature }» засчитываются вам.
sources-title = 👥 Откуда подписчики:
sources-line = • { $source }: +{ $joins }
sources-other = без ссылки
log-captured = «{ $metric }» в Telegram бот считает сам по подключённому каналу — вводить не нужно. Для других площадок укажите площадку: /log { $key } 5 vk
entry-auto = 🤖 авто
undo-auto-only = Удалять нечего: ваши последние записи посчитаны ботом автоматически. Исключить их может менеджер: /history
only-managers-auto = Автоматическую запись может исключить только менеджер.
right-can_invite_users = «Пригласительные ссылки» (can_invite_users)
