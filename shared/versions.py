"""The running rcmflow version, recorded as `producer.version` on every event."""

from importlib.metadata import PackageNotFoundError, version

try:
    RCMFLOW_VERSION = version("rcmflow")
except PackageNotFoundError:  # running from a source tree that was never installed
    RCMFLOW_VERSION = "0.0.0+source"
