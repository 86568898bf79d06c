"""A realistic demo data set for the dashboard, the bot and the README's run command."""
