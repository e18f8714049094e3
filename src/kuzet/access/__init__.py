"""Agencies, users, roles, authentication, authorisation scopes, audit, personal data."""
