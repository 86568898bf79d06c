"""The privacy@ mailbox: messages in and out of cases, the inbox, and attachments."""
