"""The backend service: accounts, the items each account owns, health, metrics and logs."""

__version__ = "0.1.0"
