"""Hackathon kit: copy a starter template (``aidojo new``), suggest one from a work problem, test helpers."""

from aidojo.hackathon.intake import Suggestion, suggest
from aidojo.hackathon.new import NewProjectError, Template, create_project, get_template, list_templates, templates_dir

__all__ = [
    "Template",
    "NewProjectError",
    "templates_dir",
    "list_templates",
    "get_template",
    "create_project",
    "Suggestion",
    "suggest",
]
