"""kehoach-docs: YAML → văn bản hành chính Việt Nam (.docx, PDF) đúng thể thức.

Pipeline, one module per step: load → validate → context → render → check → write.
"""

__version__ = "0.1.0"
