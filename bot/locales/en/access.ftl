## Who is a team member and who is a manager: as Telegram says.

access-unavailable = Couldn't check your rights with Telegram, so nothing was changed. Please try again in a minute.
