"""The SWF host: boto3 client helpers, the activity worker, the decider and process supervision."""
