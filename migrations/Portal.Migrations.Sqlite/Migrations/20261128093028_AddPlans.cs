using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class AddPlans : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "plans",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    description = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    price_micro_yuan = table.Column<long>(type: "INTEGER", nullable: false),
                    credit_micro_yuan = table.Column<long>(type: "INTEGER", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    display_order = table.Column<int>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_plans", x => x.id);
                    table.CheckConstraint("ck_plans_credit_positive", "credit_micro_yuan > 0");
                    table.CheckConstraint("ck_plans_price_positive", "price_micro_yuan > 0");
                });

            migrationBuilder.CreateTable(
                name: "plan_subscriptions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    plan_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    auto_renew = table.Column<bool>(type: "INTEGER", nullable: false),
                    anchor_at = table.Column<long>(type: "INTEGER", nullable: false),
                    anchor_period_no = table.Column<int>(type: "INTEGER", nullable: false),
                    current_period_no = table.Column<int>(type: "INTEGER", nullable: false),
                    current_period_start_at = table.Column<long>(type: "INTEGER", nullable: false),
                    current_period_end_at = table.Column<long>(type: "INTEGER", nullable: false),
                    reminder_sent_for_period_no = table.Column<int>(type: "INTEGER", nullable: true),
                    created_by_user_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    ended_at = table.Column<long>(type: "INTEGER", nullable: true),
                    replaced_by_id = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_plan_subscriptions", x => x.id);
                    table.CheckConstraint("ck_plan_subscriptions_period_positive", "current_period_no >= 1");
                    table.ForeignKey(
                        name: "fk_plan_subscriptions_plans_plan_id",
                        column: x => x.plan_id,
                        principalTable: "plans",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_plan_subscriptions_tenants_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "plan_credit_events",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    subscription_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    period_no = table.Column<int>(type: "INTEGER", nullable: true),
                    kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    amount_micro_yuan = table.Column<long>(type: "INTEGER", nullable: false),
                    expires_at = table.Column<long>(type: "INTEGER", nullable: true),
                    at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_plan_credit_events", x => x.id);
                    table.CheckConstraint("ck_plan_credit_events_amount_positive", "amount_micro_yuan > 0");
                    table.ForeignKey(
                        name: "fk_plan_credit_events_plan_subscriptions_subscription_id",
                        column: x => x.subscription_id,
                        principalTable: "plan_subscriptions",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_plan_credit_events_tenants_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "plan_periods",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    subscription_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    period_no = table.Column<int>(type: "INTEGER", nullable: false),
                    plan_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    start_at = table.Column<long>(type: "INTEGER", nullable: false),
                    end_at = table.Column<long>(type: "INTEGER", nullable: false),
                    price_micro_yuan = table.Column<long>(type: "INTEGER", nullable: false),
                    credit_micro_yuan = table.Column<long>(type: "INTEGER", nullable: false),
                    ledger_key = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    paid_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_plan_periods", x => x.id);
                    table.CheckConstraint("ck_plan_periods_amounts_positive", "price_micro_yuan > 0 AND credit_micro_yuan > 0");
                    table.ForeignKey(
                        name: "fk_plan_periods_plan_subscriptions_subscription_id",
                        column: x => x.subscription_id,
                        principalTable: "plan_subscriptions",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_plan_periods_plans_plan_id",
                        column: x => x.plan_id,
                        principalTable: "plans",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_plan_periods_tenants_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_plan_credit_events_subscription_id",
                table: "plan_credit_events",
                column: "subscription_id");

            migrationBuilder.CreateIndex(
                name: "ix_plan_credit_events_tenant_id_at",
                table: "plan_credit_events",
                columns: new[] { "tenant_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_plan_credit_events_tenant_id_kind_expires_at",
                table: "plan_credit_events",
                columns: new[] { "tenant_id", "kind", "expires_at" });

            migrationBuilder.CreateIndex(
                name: "ix_plan_periods_plan_id",
                table: "plan_periods",
                column: "plan_id");

            migrationBuilder.CreateIndex(
                name: "ix_plan_periods_subscription_id_period_no",
                table: "plan_periods",
                columns: new[] { "subscription_id", "period_no" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_plan_periods_tenant_id_start_at",
                table: "plan_periods",
                columns: new[] { "tenant_id", "start_at" });

            migrationBuilder.CreateIndex(
                name: "ix_plan_subscriptions_plan_id",
                table: "plan_subscriptions",
                column: "plan_id");

            migrationBuilder.CreateIndex(
                name: "ix_plan_subscriptions_status_current_period_end_at",
                table: "plan_subscriptions",
                columns: new[] { "status", "current_period_end_at" });

            migrationBuilder.CreateIndex(
                name: "ix_plan_subscriptions_tenant_id",
                table: "plan_subscriptions",
                column: "tenant_id",
                unique: true,
                filter: "status = 'Active'");

            migrationBuilder.CreateIndex(
                name: "ix_plan_subscriptions_tenant_id_created_at",
                table: "plan_subscriptions",
                columns: new[] { "tenant_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_plans_status_display_order",
                table: "plans",
                columns: new[] { "status", "display_order" });
            // Paid periods and the plan-credit history are append-only in the database too.
            migrationBuilder.Sql("CREATE TRIGGER plan_periods_no_update BEFORE UPDATE ON plan_periods BEGIN SELECT RAISE(ABORT, 'plan_periods is append-only'); END;");
            migrationBuilder.Sql("CREATE TRIGGER plan_periods_no_delete BEFORE DELETE ON plan_periods BEGIN SELECT RAISE(ABORT, 'plan_periods is append-only'); END;");
            migrationBuilder.Sql("CREATE TRIGGER plan_credit_events_no_update BEFORE UPDATE ON plan_credit_events BEGIN SELECT RAISE(ABORT, 'plan_credit_events is append-only'); END;");
            migrationBuilder.Sql("CREATE TRIGGER plan_credit_events_no_delete BEFORE DELETE ON plan_credit_events BEGIN SELECT RAISE(ABORT, 'plan_credit_events is append-only'); END;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS plan_periods_no_update; DROP TRIGGER IF EXISTS plan_periods_no_delete; DROP TRIGGER IF EXISTS plan_credit_events_no_update; DROP TRIGGER IF EXISTS plan_credit_events_no_delete;");

            migrationBuilder.DropTable(
                name: "plan_credit_events");

            migrationBuilder.DropTable(
                name: "plan_periods");

            migrationBuilder.DropTable(
                name: "plan_subscriptions");

            migrationBuilder.DropTable(
                name: "plans");
        }
    }
}
