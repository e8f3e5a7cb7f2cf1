"""The course as data: models, loader, lint and the generated documents."""

from .loader import Course, CourseError, Problem, default_root, load, load_or_raise
from .models import Check, ConceptRef, Depth, Exercise, Hint, Lesson, LessonType, Level, Module, Series

__all__ = [
    "Check", "ConceptRef", "Course", "CourseError", "Depth", "Exercise", "Hint", "Lesson", "LessonType",
    "Level", "Module", "Problem", "Series", "default_root", "load", "load_or_raise",
]
