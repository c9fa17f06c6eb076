"""Weekly time: the one vocabulary for "Tuesday 19:00-21:00 in Europe/London".

People give weekly windows of wall-clock time in their own IANA zone (a profile's
availability, an agreement's contact times). This package owns them:

- `api.weekly.windows`: the `WeeklyWindow` type, reading it (from stored data and from text),
  checking a set of windows, plain words, and the constants (weekdays, parts of the day, the
  fallback time zone).
- `api.weekly.occurrences`: the single daylight-saving rule that turns a weekly window into
  real time, and the questions asked of it (is this instant inside? when is the next opening?
  does this interval fit? how do the windows look on another clock?).

It depends only on the ground modules (`api.errors`); every domain that speaks of weekly
time imports it from here.
"""
