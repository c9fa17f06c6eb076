"""What integrators read and do through the API: referrals and their status, the states of
their referred people's relationships, and the service's monthly totals, each behind its
scope."""
