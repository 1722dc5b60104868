"""SQLAlchemy tables for the directory (minimal: one table of services)."""
from __future__ import annotations

from sqlalchemy import Column, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Service(Base):
    __tablename__ = "service"

    id = Column(String, primary_key=True)
    community_id = Column(String, nullable=False, index=True)
    name = Column(String, nullable=False)
    type = Column(String, nullable=False, index=True)
    address = Column(String)
    postcode = Column(String)
    phone = Column(String)
