variable "collector_principal_arn" {
  description = "ARN of the one IAM role or user that runs `blindspot collect`."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/.+$", var.collector_principal_arn))
    error_message = "collector_principal_arn must be the ARN of an IAM role or user."
  }
}

variable "role_name" {
  description = "Name of the role; pass it to `blindspot collect --org --role-name`."
  type        = string
  default     = "BlindspotReadOnly"
}

variable "external_id" {
  description = "Optional sts:ExternalId the collector must present (empty: none)."
  type        = string
  default     = ""
  sensitive   = true
}

variable "tags" {
  description = "Tags for the role."
  type        = map(string)
  default     = { "managed-by" = "blindspot" }
}
