"""Referrals: an integrator refers a person, who joins through a single-use invite link (or
says no thanks); when their support ends they choose whether a short summary goes back."""
