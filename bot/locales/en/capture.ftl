## Counted from Telegram (SPEC §10): the channel, its discussion group, Telegram Business.

metric-new_followers = New followers
metric-inbound_chats = Inbound chats

capture-managers-only = Only the team's managers (group admins) link channels and make links.
channel-usage = Format: /channel @channel to link, /channel to list, /channel off @channel to unlink.
channel-none = No channel linked. Make the bot an admin of the channel and send here: /channel @channel
channel-list = 📣 Linked channels:
    { $channels }
channel-line = • { $channel }
channel-not-found = I can't find the channel { $channel }. Check the @name or id (-100…) and that the bot was added to it.
channel-not-channel = { $channel } is not a channel. Only a channel can be linked: /channel @channel
channel-not-admin = The bot is not an admin of { $channel }. Make it an admin of the channel (default rights will do) and repeat: /channel { $channel }
channel-taken = { $channel } is already linked to another team. A channel counts for one team.
channel-linked = ✅ { $channel } is linked: the bot counts posts, reactions, joins and leaves itself.
channel-missing-rights = ⚠️ Missing admin rights: { $rights }; /invite needs them.
channel-no-discussion = The channel has no discussion group: comments and reply times are not counted.
channel-discussion-watched = 💬 The discussion group is watched: comments and reply times are counted.
channel-discussion-add-me = 💬 To count comments and reply times, add the bot as an admin of the channel's discussion group.
channel-followers = Followers now: { $count }.
channel-off = { $channel } is unlinked. What was counted stays in the history.
channel-not-linked = { $channel } is not linked to this team.
invite-usage = Format: /invite name (up to { $limit } characters). Example: /invite Blogger ad
invite-failed = Could not make a link: give the bot the "Invite users via link" right in { $channel }.
invite-made = 🔗 Link “{ $name }”: { $link }
    Joins through it are counted separately (/kpi, the digest).
iam-usage = Format: /iam signature, as your signature appears under channel posts. Example: /iam { $name }
iam-done = ✅ Posts signed “{ $signature }” are credited to you.
sources-title = 👥 Where followers came from:
sources-line = • { $source }: +{ $joins }
sources-other = no link
log-captured = The bot counts “{ $metric }” on Telegram itself from the linked channel: no need to type it. For another platform, name it: /log { $key } 5 vk
entry-auto = 🤖 auto
undo-auto-only = Nothing to undo: your latest entries were counted by the bot. A manager can exclude them: /history
only-managers-auto = Only a manager can exclude an automatic entry.
right-can_invite_users = “Invite users via link” (can_invite_users)
captured-title = 🤖 Counted by the bot (tap to exclude from the KPIs):
captured-empty = The bot has not counted anything itself yet: link a channel (/channel @channel).
cmd-channel = link a channel: /channel @channel (manager)
cmd-invite = invite link: /invite Blogger (manager)
cmd-iam = my channel signature: /iam Anna
cmd-captured = what the bot counted, to exclude (manager)
