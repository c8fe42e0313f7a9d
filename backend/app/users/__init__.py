"""Accounts: the people who sign up, log in and own items."""
