"""Packaging: the newsletter packages, and the default email templates.

The templates a newsletter folder starts from live once, at the top of the repository
(``templates/``, which is also the example newsletter's own), and ship inside the package
as ``newsletter/email_templates/``. Everything else is in pyproject.toml.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["newsletter*"]), "newsletter.email_templates"],
    package_dir={"newsletter.email_templates": "templates"},
)
