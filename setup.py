"""The build step pyproject.toml cannot state: compile the translations' .po files into .mo (babel, pure Python).

The .mo files are not committed. A wheel gets them in its build directory; an editable install (``pip install -e``,
as the Makefile does) gets them next to the .po files in the source tree. See docs/howto/translations.md.
"""

import runpy
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
compile_catalogues = runpy.run_path(str(HERE / "scripts" / "compile_messages.py"))["compile_catalogues"]


class BuildPyWithCatalogues(build_py):
    def run(self):
        super().run()
        source = HERE / "wagtail_booking" / "locale"
        if getattr(self, "editable_mode", False):
            compile_catalogues(source)
        else:
            compile_catalogues(source, Path(self.build_lib) / "wagtail_booking" / "locale", force=True)


setup(cmdclass={"build_py": BuildPyWithCatalogues})
