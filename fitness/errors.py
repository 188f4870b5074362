"""Errors a person can act on. Their ``str()`` is the one-line message the CLI and UI show."""


class FitnessError(Exception):
    """Base class: anything the user can fix (bad file, missing model, bad flag)."""


class ModelUnavailableError(FitnessError):
    """No model can be loaded: not cached and cannot be fetched here."""


class InputFileError(FitnessError):
    """An input image or video is missing, unreadable, empty or of the wrong kind."""


class OutputPathError(FitnessError):
    """An output path cannot be written."""


class StorageError(FitnessError):
    """The workout history database cannot be opened or written."""
