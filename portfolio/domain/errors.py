"""Domain errors: each rule of the portfolio has its own, with a message a person can act on."""


class DomainError(Exception):
    """A command broke a rule of the domain. The message is shown to the user as is."""


class NotFound(DomainError):
    """Something named by id does not exist (or is not visible to the caller)."""


class InvalidValue(DomainError):
    """A field has a value the domain cannot accept."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class SelfSignOff(DomainError):
    pass


class SupervisorNotAssigned(DomainError):
    pass


class BuddyNotAssigned(InvalidValue):
    """A buddy meeting needs a buddy assigned on its date."""


class LevelBelowMissing(DomainError):
    pass


class OpenRequestExists(DomainError):
    pass


class RequestNotOpen(DomainError):
    pass


class EvidenceRequired(DomainError):
    pass


class AlreadySignedOff(DomainError):
    pass


class AssignmentConflict(DomainError):
    pass


class AlreadyWithdrawn(DomainError):
    """Evidence withdrawn once stays withdrawn: withdrawing it again changes nothing."""


class PermissionRequired(DomainError):
    """Someone else's recovery story may be shared only when told with permission (002:548-549)."""


class Erased(DomainError):
    """The person's data was erased: their text is gone and their portfolio takes no more changes."""


class Conflict(DomainError):
    """Someone else changed the same thing first; reload and try again."""


class AccountInactive(DomainError):
    """The account is deactivated: it cannot sign in or act until an admin reactivates it."""
