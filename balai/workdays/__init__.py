"""The Pemda's working-day calendar: holidays per Pemda and working-day arithmetic for deadlines.

Named ``workdays`` (not ``calendar``) so it never shadows the standard library's ``calendar`` module.
"""
