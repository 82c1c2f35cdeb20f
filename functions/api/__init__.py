"""REST API blueprints, one per resource. Handlers validate → call a service → serialize."""
