"""What is built on whole worlds: fleet files and the example fleet, ``simulate``,
``plan`` (what-if), ``demo`` and its rollout page."""
