"""A sailor for the elastic.io platform: runs this component's actions from RabbitMQ, as the
platform's Node.js sailor (``elasticio-sailor-nodejs``) runs a Node component.

``picsart-flow sailor`` (or ``python -m picsart_component.sailor``) starts one step's sailor from
the ``ELASTICIO_*`` environment the platform sets; ``picsart-flow sailor service METHOD`` runs a
service call (verifyCredentials, getMetaModel, selectModel). It needs the ``platform`` extra
(aio-pika and cryptography).
"""
