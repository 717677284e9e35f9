"""Sphinx configuration of the course site. `make book` copies this folder, with the executed
notebooks, into build/book/src and builds build/book/html from there (nothing is executed)."""

import json
import os

project = "Deep Neural Networks, runnable"
author = "The Deep Neural Networks, runnable authors"
copyright = "2026, " + author
extensions = ["myst_nb"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

# the notebooks are shown as executed by `make run`; nothing runs while the site is built
nb_execution_mode = "off"
nb_output_stderr = "remove"  # warnings and logs on stderr are not lesson content
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

html_theme = "sphinx_book_theme"
html_title = project
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_show_sourcelink = False
html_copy_source = False
html_last_updated_fmt = None
# MathJax from a local copy (build/vendor/mathjax, unpacked by `make setup`): no CDN request
mathjax_path = "mathjax/tex-mml-chtml.js"
html_theme_options = {
    "repository_url": os.environ.get("DNN_REPOSITORY_URL", ""),
    "use_repository_button": bool(os.environ.get("DNN_REPOSITORY_URL")),
    "use_download_button": False,
    "use_fullscreen_button": False,
    "launch_buttons": {},
    "show_toc_level": 2,
    "navigation_with_keys": False,
}
# a build is reproducible: the same inputs give the same pages
html_context = {
    "default_mode": "light",
    "build_info": json.loads(os.environ.get("DNN_BOOK_INFO", "{}")),
}
