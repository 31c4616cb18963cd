"""Citizen reports by chat: WhatsApp Cloud API and Telegram Bot API webhooks and the bot conversation."""
