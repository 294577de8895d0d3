"""The Hub's domain logic, one module per part: resources (with versions and files),
peer_review, subscriptions (saved searches and alerts), experts, discussions, connection."""
