"""Patterns of SageMaker Studio ids, names, AWS Regions and ARNs: the one place they are written.

Pure (standard library only). Every pattern is AWS's own, copied with its source:

- SageMaker API reference (botocore ``data/sagemaker/2017-07-24/service-2.json``, shapes):
  ``DomainId`` pattern ``d-(-*[a-z0-9]){1,61}`` (length at most 63); ``UserProfileName``,
  ``SpaceName`` and ``AppName`` pattern ``[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`` (at most 63);
  ``AccountId`` 12 digits; ``RoleArn`` pattern
  ``arn:aws[a-z\\-]*:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+`` (length 20 to 2048);
  ``DomainArn``/``UserProfileArn``/``SpaceArn``/``AppArn`` pattern
  ``arn:aws[a-z\\-]*:sagemaker:[a-z0-9\\-]*:[0-9]{12}:<type>/.*``. The API matches a pattern
  against the whole value.
- AWS partitions and Region names: botocore ``data/partitions.json`` (the SDKs' partition
  metadata): the partition ids and, per partition, ``regionRegex``, e.g. ``aws``
  ``^(us|eu|ap|sa|ca|me|af|il|mx)\\-\\w+\\-\\d+$``, ``aws-eusc`` ``^eusc\\-(de)\\-\\w+\\-\\d+$``.
  A Region name is valid when one partition's ``regionRegex`` matches it. (Copied from
  botocore 1.44.18; a partition AWS adds later is not known here.)

Every ``is_*`` function takes any value and answers False for a non-string; the compiled
patterns match whole strings (use ``fullmatch``).
"""

from __future__ import annotations

import re

__all__ = [
    "ACCOUNT_ID",
    "DOMAIN_ARN_RE",
    "DOMAIN_ID",
    "DOMAIN_ID_RE",
    "KNOWN_REGIONS",
    "PARTITIONS",
    "REGION_REGEXES",
    "REGION_RE",
    "RESOURCE_NAME",
    "RESOURCE_NAME_RE",
    "ROLE_ARN_RE",
    "SAGEMAKER_ARN_RE",
    "is_account_id",
    "is_domain_id",
    "is_region",
    "is_resource_name",
    "is_role_arn",
]

#: SageMaker API reference, ``DomainId`` (DescribeDomain, ListUserProfiles, ...).
DOMAIN_ID = r"d-(-*[a-z0-9]){1,61}"
#: SageMaker API reference, ``UserProfileName``, ``SpaceName`` and ``AppName`` (one pattern).
RESOURCE_NAME = r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}"
#: SageMaker API reference, ``AccountId`` (12 digits; min and max length 12).
ACCOUNT_ID = r"\d{12}"

#: botocore ``partitions.json``: partition id -> ``regionRegex`` (as published).
REGION_REGEXES: dict[str, str] = {
    "aws": r"^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$",
    "aws-cn": r"^cn\-\w+\-\d+$",
    "aws-eusc": r"^eusc\-(de)\-\w+\-\d+$",
    "aws-iso": r"^us\-iso\-\w+\-\d+$",
    "aws-iso-b": r"^us\-isob\-\w+\-\d+$",
    "aws-iso-e": r"^eu\-isoe\-\w+\-\d+$",
    "aws-iso-f": r"^us\-isof\-\w+\-\d+$",
    "aws-us-gov": r"^us\-gov\-\w+\-\d+$",
}
#: botocore ``partitions.json``: partition id -> its Region names (1.44.18; global pseudo-Regions
#: left out). Only used to make witnesses read well: the Region *grammar* is ``REGION_REGEXES``.
KNOWN_REGIONS: dict[str, tuple[str, ...]] = {
    "aws": (
        "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2",
        "ap-northeast-3", "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2",
        "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
        "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1",
        "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1",
        "me-south-1", "me-west-1", "mx-central-1", "sa-east-1", "sa-west-1", "us-east-1",
        "us-east-2", "us-west-1", "us-west-2",
    ),
    "aws-cn": ("cn-north-1", "cn-northwest-1"),
    "aws-eusc": ("eusc-de-east-1",),
    "aws-iso": ("us-iso-east-1", "us-iso-west-1"),
    "aws-iso-b": ("us-isob-east-1", "us-isob-west-1"),
    "aws-iso-e": ("eu-isoe-west-1",),
    "aws-iso-f": ("us-isof-east-1", "us-isof-south-1"),
    "aws-us-gov": ("us-gov-east-1", "us-gov-west-1"),
}  # fmt: skip
#: The partition ids of ``partitions.json``.
PARTITIONS: tuple[str, ...] = tuple(REGION_REGEXES)

_PARTITION = "|".join(re.escape(p) for p in sorted(PARTITIONS, key=len, reverse=True))
# A Region: any partition's regionRegex (anchors dropped; ASCII \w, as the SDKs read it).
_REGION = "|".join(f"(?:{rx[1:-1]})" for rx in REGION_REGEXES.values())

DOMAIN_ID_RE = re.compile(DOMAIN_ID, re.ASCII)
RESOURCE_NAME_RE = re.compile(RESOURCE_NAME, re.ASCII)
REGION_RE = re.compile(_REGION, re.ASCII)
_ACCOUNT_ID_RE = re.compile(ACCOUNT_ID, re.ASCII)
#: SageMaker API reference, ``RoleArn`` (use with ``fullmatch``; length 20 to 2048 apart).
ROLE_ARN_RE = re.compile(
    r"arn:aws[a-z\-]*:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+", re.ASCII
)
#: A domain's ARN, ``arn:<partition>:sagemaker:<region>:<account>:domain/<domain id>``
#: (Service Authorization Reference, SageMaker resource type ``domain``), each part by the
#: patterns above; groups ``partition``, ``region``, ``account``, ``domain_id``.
DOMAIN_ARN_RE = re.compile(
    rf"arn:(?P<partition>{_PARTITION}):sagemaker:(?P<region>{_REGION}):"
    rf"(?P<account>{ACCOUNT_ID}):domain/(?P<domain_id>{DOMAIN_ID})",
    re.ASCII,
)
#: Any SageMaker ARN as the API's ``*Arn`` shapes allow it (Region ``[a-z0-9-]*``, possibly
#: empty); groups ``partition``, ``region``, ``account``, ``type``, ``rest`` (after the first
#: ``/``, or None).
SAGEMAKER_ARN_RE = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):sagemaker:(?P<region>[a-z0-9-]*):(?P<account>\d{12}):"
    r"(?P<type>[a-z0-9-]+)(?:/(?P<rest>.*))?",
    re.ASCII,
)

_MAX_NAME = 63  # DomainId and the names: max length 63 (the API reference)
_ROLE_ARN_LENGTH = (20, 2048)


def is_domain_id(value: object) -> bool:
    """True when ``value`` is a SageMaker domain id (``d-`` then lowercase letters and digits,
    inner hyphens allowed; at most 63 characters)."""
    return (
        isinstance(value, str)
        and len(value) <= _MAX_NAME
        and DOMAIN_ID_RE.fullmatch(value) is not None
    )


def is_resource_name(value: object) -> bool:
    """True when ``value`` is a valid ``UserProfileName``, ``SpaceName`` or ``AppName``
    (letters and digits, inner hyphens allowed, at most 63 characters)."""
    return (
        isinstance(value, str)
        and len(value) <= _MAX_NAME
        and RESOURCE_NAME_RE.fullmatch(value) is not None
    )


def is_region(value: object) -> bool:
    """True when some partition's ``regionRegex`` matches ``value`` (``us-east-1``,
    ``us-gov-west-1``, ``cn-north-1``, ``eusc-de-east-1``, ...)."""
    return isinstance(value, str) and REGION_RE.fullmatch(value) is not None


def is_account_id(value: object) -> bool:
    """True when ``value`` is a 12-digit AWS account id."""
    return isinstance(value, str) and _ACCOUNT_ID_RE.fullmatch(value) is not None


def is_role_arn(value: object) -> bool:
    """True when ``value`` is an IAM role ARN as the SageMaker API's ``RoleArn`` accepts it."""
    return (
        isinstance(value, str)
        and _ROLE_ARN_LENGTH[0] <= len(value) <= _ROLE_ARN_LENGTH[1]
        and ROLE_ARN_RE.fullmatch(value) is not None
    )
