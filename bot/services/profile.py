"""A member's personal settings: their timezone, with a cooldown that keeps streaks honest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.db.engine import Database
from bot.db.models import StreakEvent, User
from bot.db.upsert import insert_ignore
from bot.services.errors import UserError
from bot.services.localtime import local_day, user_timezone
from bot.services.streaks import rebuild_user
from bot.services.timeparse import resolve_timezone
from bot.services.users import ensure_user

TIMEZONE_COOLDOWN = timedelta(days=7)


@dataclass(frozen=True)
class TimezoneChange:
    """The outcome of /settings timezone."""

    timezone: str
    previous: str | None
    local_time: datetime
    next_change_allowed: datetime


class ProfileService:
    """Timezone changes: validated, rate-limited, and neutral for the streak."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def set_timezone(self, user_id: int, text: str, guild_id: int | None) -> TimezoneChange:
        """Change the member's timezone once per cooldown; never breaks their streak.

        Moving east can skip the rest of a local day; such skipped days are recorded as
        *bridged*, so they neither count nor break the streak.
        """
        zone = resolve_timezone(text)
        now = self._clock.now()
        async with self._db.transaction() as session:
            await ensure_user(session, user_id, now)
            user = await session.get(User, user_id, with_for_update=True)
            assert user is not None
            if user.timezone == zone:
                raise UserError(f"Your timezone is already {zone}.")
            changed = user.timezone_changed_at
            if (
                user.timezone is not None
                and changed is not None
                and now - changed < TIMEZONE_COOLDOWN
            ):
                allowed = changed + TIMEZONE_COOLDOWN
                raise UserError(
                    f"You changed your timezone on {changed:%d %b}; you can change it again after "
                    f"{allowed:%d %b %H:%M} UTC. (This keeps streaks fair.)"
                )
            old_zone = await user_timezone(session, user_id, guild_id)
            old_today, new_today = local_day(now, old_zone), local_day(now, zone)
            day = old_today
            while day < new_today:
                await insert_ignore(
                    session, StreakEvent, user_id=user_id, day=day, kind="bridge", notified=True
                )
                day += timedelta(days=1)
            previous = user.timezone
            user.timezone = zone
            user.timezone_changed_at = now
            await session.flush()
            await rebuild_user(session, user, new_today, now)
        return TimezoneChange(
            zone, previous, now.astimezone(ZoneInfo(zone)), now + TIMEZONE_COOLDOWN
        )
