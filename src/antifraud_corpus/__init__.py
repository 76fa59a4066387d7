"""antifraud-corpus: analyze Chinese policy documents on combating telecom and online fraud.

Importing the package does no work: dictionaries, converters and configs are
loaded only when a pipeline function asks for them.
"""

__version__ = "0.1.0"
