"""Flows over RabbitMQ: ``flow run --broker`` publishes and collects, ``flow worker`` runs steps.

It joins the flow runner (``flows``) and the platform's message handling (``sailor``), which know
nothing of each other.
"""
