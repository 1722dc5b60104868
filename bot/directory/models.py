"""SQLAlchemy tables for the directory, shaped after Open Referral UK / HSDS 3.0.

organisation → service → location, phone, schedule (weekly sessions), schedule_exception,
service_offer; plus the Care Community tables that place residents: community, place_name,
postcode_area, community_neighbour. directory_version records each load so that caches can
tell when the data changed.
"""
from __future__ import annotations

from sqlalchemy import (Boolean, Column, Date, DateTime, Float, ForeignKey, Index, Integer,
                        String, Text)
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class Community(Base):
    __tablename__ = "community"
    id = Column(String(64), primary_key=True)
    name = Column(String(200), nullable=False)
    borough = Column(String(32), nullable=False)  # cheshire-west, cheshire-east, national


class CommunityNeighbour(Base):
    __tablename__ = "community_neighbour"
    community_id = Column(String(64), ForeignKey("community.id"), primary_key=True)
    neighbour_id = Column(String(64), primary_key=True)
    rank = Column(Integer, nullable=False)  # the order staff listed them in


class PlaceName(Base):
    """A name residents use for a place (with misspellings), and the community it is in."""
    __tablename__ = "place_name"
    id = Column(Integer, primary_key=True, autoincrement=True)
    key = Column(String(200), nullable=False, index=True)  # normalised for matching
    name = Column(String(200), nullable=False)  # the name as written
    canonical = Column(String(200), nullable=False)  # the place's main name
    community_id = Column(String(64), ForeignKey("community.id"), nullable=False)
    ambiguous = Column(Boolean, nullable=False, default=False)
    note = Column(Text)


class PostcodeArea(Base):
    """A postcode district (CW9) or sector (CW10 1) and the community it is in."""
    __tablename__ = "postcode_area"
    id = Column(Integer, primary_key=True, autoincrement=True)
    code = Column(String(8), nullable=False, index=True)
    community_id = Column(String(64), ForeignKey("community.id"), nullable=False)
    ambiguous = Column(Boolean, nullable=False, default=False)
    note = Column(Text)


class Organisation(Base):
    __tablename__ = "organisation"
    id = Column(String(100), primary_key=True)
    name = Column(String(200), nullable=False)
    website = Column(String(500))
    description = Column(Text)


class Service(Base):
    __tablename__ = "service"
    id = Column(String(100), primary_key=True)
    community_id = Column(String(64), ForeignKey("community.id"), nullable=False)
    organisation_id = Column(String(100), ForeignKey("organisation.id"))
    name = Column(String(200), nullable=False)
    type = Column(String(40), nullable=False)
    description = Column(Text)
    status = Column(String(24), nullable=False, default="active")
    website = Column(String(500))
    email = Column(String(200))
    # Eligibility (HSDS keeps these on the service).
    min_age = Column(Integer)
    max_age = Column(Integer)
    sex = Column(String(8))
    registered_patients_only = Column(Boolean, nullable=False, default=False)
    eligibility_note = Column(Text)
    accessibility = Column(Text)  # notes, one per line
    # Opening rules that are not weekly sessions.
    always_open = Column(Boolean, nullable=False, default=False)
    bank_holidays = Column(String(8), nullable=False, default="closed")  # closed, normal, hours
    has_hours = Column(Boolean, nullable=False, default=False)  # any opening hours given at all
    last_verified = Column(Date)
    source_file = Column(String(300))
    source_line = Column(Integer)

    location = relationship("Location", uselist=False, lazy="joined", cascade="all, delete-orphan")
    phones = relationship("Phone", lazy="selectin", order_by="Phone.position", cascade="all, delete-orphan")
    schedules = relationship("Schedule", lazy="selectin", cascade="all, delete-orphan")
    exceptions = relationship("ScheduleException", lazy="selectin", cascade="all, delete-orphan")
    offers = relationship("ServiceOffer", lazy="selectin", cascade="all, delete-orphan")

    __table_args__ = (Index("ix_service_community_type", "community_id", "type"),)


class Location(Base):
    __tablename__ = "location"
    id = Column(Integer, primary_key=True, autoincrement=True)
    service_id = Column(String(100), ForeignKey("service.id"), nullable=False, unique=True)
    name = Column(String(200))
    address = Column(String(500), nullable=False)
    town = Column(String(100))
    postcode = Column(String(10), nullable=False)
    latitude = Column(Float)
    longitude = Column(Float)


class Phone(Base):
    __tablename__ = "phone"
    id = Column(Integer, primary_key=True, autoincrement=True)
    service_id = Column(String(100), ForeignKey("service.id"), nullable=False, index=True)
    position = Column(Integer, nullable=False)
    number = Column(String(32), nullable=False)
    type = Column(String(16), nullable=False, default="voice")
    description = Column(String(200))


class Schedule(Base):
    """One weekly session on one weekday (HSDS schedule with freq WEEKLY, byday)."""
    __tablename__ = "schedule"
    id = Column(Integer, primary_key=True, autoincrement=True)
    service_id = Column(String(100), ForeignKey("service.id"), nullable=False, index=True)
    weekday = Column(Integer, nullable=False)  # 0 = Monday
    opens = Column(Integer, nullable=False)  # minutes after midnight
    closes = Column(Integer, nullable=False)  # minutes after midnight; 1440 = midnight
    overnight = Column(Boolean, nullable=False, default=False)  # closes the next day
    valid_from = Column(Date)
    valid_to = Column(Date)
    bank_holiday = Column(Boolean, nullable=False, default=False)  # hours for bank holidays


class ScheduleException(Base):
    """Dated closures or special hours (Christmas, a refit), one row per set of hours."""
    __tablename__ = "schedule_exception"
    id = Column(Integer, primary_key=True, autoincrement=True)
    service_id = Column(String(100), ForeignKey("service.id"), nullable=False, index=True)
    starts = Column(Date, nullable=False)
    ends = Column(Date, nullable=False)
    closed = Column(Boolean, nullable=False, default=False)
    opens = Column(Integer)
    closes = Column(Integer)
    note = Column(String(300))


class ServiceOffer(Base):
    __tablename__ = "service_offer"
    service_id = Column(String(100), ForeignKey("service.id"), primary_key=True)
    code = Column(String(40), primary_key=True, index=True)


class DirectoryVersion(Base):
    __tablename__ = "directory_version"
    id = Column(Integer, primary_key=True)
    version = Column(String(64), nullable=False)  # hash of the source files
    loaded_at = Column(DateTime(timezone=True), nullable=False)
    services = Column(Integer, nullable=False)


# Deleted children first on a reload.
TABLES_IN_DELETE_ORDER = [ServiceOffer, ScheduleException, Schedule, Phone, Location, Service,
                          Organisation, PostcodeArea, PlaceName, CommunityNeighbour, Community]
