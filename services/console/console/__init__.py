"""The console: read models built from the topics (its own schema `console`) and web pages for
the people who work the queues; it acts only through the owning services' HTTP APIs."""
