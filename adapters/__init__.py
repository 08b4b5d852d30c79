"""Platform adapters: each translates one platform's events into core calls and core replies back."""
