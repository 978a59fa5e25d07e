# The read-only role `blindspot collect` assumes in one account.
#
# The permissions are iam-policy.json itself (a copy generated beside this file by
# `python -m scripts.iam_policy deploy`; tests/test_deploy.py fails when it drifts), so
# this module grants exactly the actions the collectors are tested to need.

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "BlindspotCollector"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "AWS"
      identifiers = [var.collector_principal_arn]
    }

    dynamic "condition" {
      for_each = var.external_id == "" ? [] : [var.external_id]
      content {
        test     = "StringEquals"
        variable = "sts:ExternalId"
        values   = [condition.value]
      }
    }
  }
}

resource "aws_iam_role" "blindspot" {
  name                 = var.role_name
  description          = "Read-only role assumed by blindspot collect"
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = 3600
  tags                 = var.tags
}

resource "aws_iam_role_policy" "read_only" {
  name   = "BlindspotCollectReadOnly"
  role   = aws_iam_role.blindspot.id
  policy = file("${path.module}/iam-policy.json")
}
