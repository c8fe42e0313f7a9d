"""Authentication: password hashing, access tokens, log-in and sign-up."""
