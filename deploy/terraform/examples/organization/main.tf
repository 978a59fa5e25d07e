# The blindspot role in every account of an AWS Organization, from the management account
# (or a CloudFormation delegated administrator, with call_as = "DELEGATED_ADMIN").
#
# Member accounts get the role from a SERVICE_MANAGED CloudFormation StackSet (the same
# template as deploy/cloudformation/blindspot-role.json), which also reaches accounts that
# join the OUs later. StackSets never deploy to the management account itself, so the module
# puts the role there directly.
#
#   terraform init && terraform apply \
#     -var collector_principal_arn=arn:aws:iam::111122223333:role/blindspot-collector \
#     -var 'organizational_unit_ids=["r-abcd"]'

terraform {
  required_version = ">= 1.3"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0, < 6.0"
    }
  }
}

variable "collector_principal_arn" {
  description = "ARN of the one IAM role or user that runs `blindspot collect`."
  type        = string
}

variable "organizational_unit_ids" {
  description = "OUs to deploy to; the root id (r-xxxx) for the whole organization."
  type        = list(string)
}

variable "role_name" {
  description = "Name of the role in every account."
  type        = string
  default     = "BlindspotReadOnly"
}

variable "external_id" {
  description = "Optional sts:ExternalId the collector must present (empty: none)."
  type        = string
  default     = ""
  sensitive   = true
}

variable "region" {
  description = "Region of the StackSet and its instances (IAM is global: one is enough)."
  type        = string
  default     = "us-east-1"
}

variable "call_as" {
  description = "SELF in the management account, DELEGATED_ADMIN in a delegated administrator."
  type        = string
  default     = "SELF"
}

provider "aws" {
  region = var.region
}

resource "aws_cloudformation_stack_set" "blindspot" {
  name             = "blindspot-read-only-role"
  description      = "blindspot read-only collection role"
  permission_model = "SERVICE_MANAGED"
  call_as          = var.call_as
  capabilities     = ["CAPABILITY_NAMED_IAM"]
  template_body    = file("${path.module}/../../../cloudformation/blindspot-role.json")

  parameters = {
    CollectorPrincipalArn = var.collector_principal_arn
    RoleName              = var.role_name
    ExternalId            = var.external_id
  }

  auto_deployment {
    enabled                          = true
    retain_stacks_on_account_removal = false
  }

  managed_execution {
    active = true
  }

  lifecycle {
    # AWS sets the administration role of a SERVICE_MANAGED stack set itself.
    ignore_changes = [administration_role_arn]
  }
}

resource "aws_cloudformation_stack_set_instance" "members" {
  stack_set_name = aws_cloudformation_stack_set.blindspot.name
  call_as        = var.call_as
  region         = var.region

  deployment_targets {
    organizational_unit_ids = var.organizational_unit_ids
  }

  operation_preferences {
    failure_tolerance_percentage = 10
    max_concurrent_percentage    = 25
  }
}

module "management_account_role" {
  source                  = "../../modules/blindspot-role"
  collector_principal_arn = var.collector_principal_arn
  role_name               = var.role_name
  external_id             = var.external_id
}

output "collect_command" {
  description = "How to collect the organization with the deployed role."
  value       = "blindspot collect --org --role-name ${var.role_name} --regions all -o snapshot.json.gz"
}
