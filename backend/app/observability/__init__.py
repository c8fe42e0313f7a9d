"""What the service tells operators about itself: metrics, logs and health."""
